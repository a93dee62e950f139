from django import template

from quiz.exercises.models import Exercise

register = template.Library()


@register.inclusion_tag("exercises/_card_exercises.html")
def card_exercises(card):
    """Links from a bank card (its page, its study review) to the coding exercises that practise it."""
    return {"exercises": list(Exercise.objects.filter(card=card).only("slug", "title"))}
