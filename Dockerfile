# syntax=docker/dockerfile:1
# jobclass service image. Build with `make image`: it trains first, because the real training texts
# live outside the repository and only the trained artifact under models/ goes into the image.

# ---- build stage: a virtualenv with the project and its pinned dependencies -------------------
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY training ./training
COPY service ./service
RUN /opt/venv/bin/pip install --no-compile .

# ---- runtime stage: no compilers, no sources beyond the installed package, non-root -----------
FROM python:3.11.7-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JOBCLASS_MODEL_DIR=/app/models/current \
    JOBCLASS_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 jobclass \
 && useradd --system --uid 10001 --gid jobclass --home-dir /app --shell /usr/sbin/nologin jobclass
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY gunicorn.conf.py ./
# The artifact made by `make train` (models/current is a symlink; copy what it points to).
COPY --chown=jobclass:jobclass models/ ./models/
# Verify the artifact at build time exactly as the service does at start-up (sha256, versions).
RUN python -c "from training.predictor import Predictor; p = Predictor.load('/app/models/current'); print('model', p.version)"
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "service.wsgi:app"]
