# One image for the worker and the webhook receiver (docker-compose.yml runs it twice). It holds
# the product only: no sandbox, no demo, no Temporal dev server (the `up` extra).
FROM python:3.11-slim
ENV UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv PATH=/app/.venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# The workspace's member list names dev/; its metadata is enough for uv to read the lock.
COPY dev/pyproject.toml dev/pyproject.toml
COPY models models
COPY workflows workflows
COPY roster roster
COPY activities activities
COPY worker worker
COPY starter starter
COPY policies policies
RUN uv sync --frozen --no-dev --no-editable
USER nobody
ENTRYPOINT ["handoff"]
CMD ["--help"]
