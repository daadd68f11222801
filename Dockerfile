# The planner's one image: web (gunicorn), worker, beat and migrate run it with different commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --system --create-home --home-dir /home/planner planner

# Dependencies first: this layer is rebuilt only when pyproject.toml changes, not on every
# source edit (the project installs no package of its own, only its dependencies).
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .

# Static files are collected at build time and served by whitenoise (manifest + compressed).
# A throwaway key: collectstatic needs settings, never this key at run time.
RUN DJANGO_SECRET_KEY=build-only-collectstatic DJANGO_DEBUG=0 \
    python manage.py collectstatic --noinput \
    && chown -R planner /app

USER planner
EXPOSE 8000
CMD ["gunicorn", "planner.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
