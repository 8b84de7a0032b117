# One image for the worker and the webhook receiver (docker-compose.yml runs it twice).
FROM python:3.11-slim
ENV UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv PATH=/app/.venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY starter starter
COPY sandbox sandbox
COPY policies policies
RUN uv sync --frozen --no-dev
USER nobody
ENTRYPOINT ["handoff"]
CMD ["--help"]
