# syntax=docker/dockerfile:1
# timd's container image: a static binary (CGO_ENABLED=0, pure-Go SQLite) on
# distroless's static base, which has CA certificates, /etc/passwd with the
# nonroot user (65532) and nothing else: no shell, no package manager.
#
#   docker build -t timd --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run -d --name timd -p 8080:8080 -v timd-data:/data timd
#   docker logs timd        # the development app's SDKAppID, admin and key
#
# The data (SQLite database, its lock and the development app) lives in the
# /data volume; TIMD_DATA=postgres://... keeps it in PostgreSQL instead.
# The HEALTHCHECK runs `timd healthcheck`: GET /readyz on TIMD_ADDR's port.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/timd ./cmd/timd \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/timd /timd
# The volume's mount point, owned by nonroot: a new named volume copies it.
COPY --from=build --chown=65532:65532 /out/data /data
ENV TIMD_ADDR=0.0.0.0:8080 \
    TIMD_DATA=/data/timd.db
VOLUME ["/data"]
WORKDIR /data
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/timd", "healthcheck"]
ENTRYPOINT ["/timd"]
CMD ["serve"]
