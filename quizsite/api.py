"""One JSON API for the site; each app contributes a router. Schema at /api/openapi.json, docs at /api/docs."""

from ninja.security import django_auth

from demos.api import router as demos_router
from quiz.bank.api import router as bank_router
from quiz.exams.api import router as quiz_router
from quiz.study.api import router as study_router
from quizsite.openapi import DocumentedNinjaAPI

api = DocumentedNinjaAPI(
    title="Transformer interview prep API", version="1.0", auth=django_auth
)  # session auth checks CSRF
api.add_router("/bank", bank_router)
api.add_router("/demos", demos_router)
api.add_router("/study", study_router)
api.add_router("/quiz", quiz_router)
