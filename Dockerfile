# The Entity List Tracker, self-hosted: docker build -t entity-list-tracker . && docker run -p 8501:8501 entity-list-tracker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8501

RUN useradd --create-home --uid 10001 tracker
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=tracker:tracker app.py ./
COPY --chown=tracker:tracker app_pages ./app_pages
COPY --chown=tracker:tracker tracker ./tracker
COPY --chown=tracker:tracker scripts/serve.sh ./scripts/serve.sh
COPY --chown=tracker:tracker .streamlit/config.toml ./.streamlit/config.toml
COPY --chown=tracker:tracker data/inputs ./data/inputs

USER tracker
# The store is built into the image, so the first visitor waits for nothing.
RUN python -m tracker build

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '8501'), timeout=4)"

CMD ["sh", "scripts/serve.sh"]
