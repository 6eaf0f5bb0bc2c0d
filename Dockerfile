# docspace-links as a container image: one static binary (musl), the CA
# certificates it needs for https portals, a non-root user, and nothing else (no
# shell, no package manager).
#
#   docker build -t docspace-links .
#   docker run --rm -v "$PWD:/work" -e DOCSPACE_URL -e DOCSPACE_TOKEN docspace-links plan -f links.yaml
#   docker run --rm -i docspace-links validate -f - < links.yaml

# Build: Alpine's Rust targets musl, whose binaries are static by default. The
# image already has what the build needs (gcc and musl-dev for ring's C parts) and
# the CA certificates copied below; the toolchain is the release workflow's.
FROM rust:1.95.0-alpine3.23 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && cp target/release/docspace-links /docspace-links \
    && /docspace-links --version

# Run: an empty image. rustls reads SSL_CERT_FILE beside its bundled roots (a
# self-hosted portal's private CA can be mounted over this file).
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /docspace-links /usr/local/bin/docspace-links
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# nobody: the tool writes only what it is asked to (a plan with --out, export -o)
# into the mounted working directory.
USER 65534:65534
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/docspace-links"]
CMD ["--help"]
