# ioffice web and worker image. The same IOFFICE_* variables configure it as on a single machine.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 IOFFICE_VAR_DIR=/var/lib/ioffice
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
 && IOFFICE_DEBUG=0 IOFFICE_ALLOWED_HOSTS=build IOFFICE_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /var/lib/ioffice ioffice \
 && mkdir -p /var/lib/ioffice/blobs /var/lib/ioffice/search \
 && chown ioffice /var/lib/ioffice /var/lib/ioffice/blobs /var/lib/ioffice/search
# A fresh named volume takes the owner of the directory it is mounted over: without the chown above
# the blob volume would be root's and the store unwritable by the ioffice user.
USER ioffice
EXPOSE 8000
CMD ["gunicorn", "ioffice.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
