# syntax=docker/dockerfile:1
# The ct hub: one static binary on an empty base image, run as a non-root
# user, its store in the /data volume. Build and run with compose.yml, or:
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t ct .
#   docker run -d -p 127.0.0.1:7200:7200 -v ct-data:/data ct

FROM golang:1.26 AS build
WORKDIR /src
# Modules first: a code change does not download them again. third_party/
# holds the pinned forks go.mod replaces (go mod download needs it present).
COPY go.mod go.sum ./
COPY third_party/ ./third_party/
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO off gives a static binary that runs on scratch; timetzdata embeds the
# time zone database, since scratch has no /usr/share/zoneinfo.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "-s -w -X main.version=${VERSION}" -o /out/ct .
# The data directory, handed to the runtime user; a new named volume starts
# as a copy of it, owner included.
RUN mkdir -m 0700 /out/data

FROM scratch
# CA certificates for any outbound TLS (the hub itself dials nothing today).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ct /ct
COPY --from=build --chown=65532:65532 /out/data /data
ENV CT_ADDR=0.0.0.0:7200 \
    CT_DATA=/data
# 65532: an unprivileged uid/gid with no other use (as in distroless' nonroot).
USER 65532:65532
VOLUME /data
EXPOSE 7200
# No curl in the image: ct checks itself (CT_ADDR 0.0.0.0:7200 -> 127.0.0.1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/ct", "healthcheck"]
ENTRYPOINT ["/ct"]
CMD ["serve"]
