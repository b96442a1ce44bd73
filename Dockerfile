# One image for every Switchboard service: the launcher's runnable jar; the sub-command picks the service
# (docker run switchboard ingress|router|outbound|memory|agent|topics). Build the jar first:
#   mvn -q -pl launcher -am package -DskipTests && docker build -t switchboard .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app switchboard \
    && mkdir -p /app /data && chown switchboard /data
COPY launcher/target/switchboard.jar /app/switchboard.jar
USER switchboard
WORKDIR /app
# Containers log one JSON object per line (phone numbers masked); override with SWITCHBOARD_LOG_FORMAT=text.
ENV SWITCHBOARD_LOG_FORMAT=json
# 8080: the ingress's public port (Twilio's webhooks and relay socket only), the one to publish, behind TLS.
# Every service also has an operator listener on 9464 (/healthz, /readyz, /metrics; the memory API for `memory`),
# bound to the container's loopback unless SWITCHBOARD_OPERATOR_HOST says otherwise: not exposed.
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/switchboard.jar"]
CMD ["--help"]
