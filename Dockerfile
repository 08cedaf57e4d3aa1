# The image compose.yaml runs: the offline bundle (`make bundle` first) installed into /opt/apprenticeship.
FROM python:3.11-slim-bookworm
RUN useradd --system --home /var/lib/apprenticeship --create-home apprentice \
 && mkdir -p /srv/apprenticeship/uploads /run/apprenticeship/metrics \
 && chown apprentice /srv/apprenticeship/uploads /run/apprenticeship/metrics
COPY dist/bundle /opt/apprenticeship/bundle
RUN /opt/apprenticeship/bundle/install.sh /opt/apprenticeship/venv \
 && cp /opt/apprenticeship/bundle/gunicorn.conf.py /opt/apprenticeship/gunicorn.conf.py
ENV PATH=/opt/apprenticeship/venv/bin:$PATH APP_ENV=production INSTANCE_PATH=/var/lib/apprenticeship \
    UPLOAD_DIR=/srv/apprenticeship/uploads PROMETHEUS_MULTIPROC_DIR=/run/apprenticeship/metrics PORT=8000
USER apprentice
WORKDIR /var/lib/apprenticeship
EXPOSE 8000
CMD ["sh", "-c", "flask --app webapp init-db && exec gunicorn -c /opt/apprenticeship/gunicorn.conf.py 'webapp:create_app()'"]
