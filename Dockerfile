# modelpressd on Debian bookworm, built with the same script CI uses.
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN bash deploy/install-deps.sh && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build --target modelpressd modelpress

FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libdnnl2 libprometheus-cpp-pull1.0 libspdlog1.10 \
      libonnx1 libgomp1 libabsl20220623 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/modelpressd /src/build/bin/modelpress /usr/local/bin/
EXPOSE 50051 9464
VOLUME /var/lib/modelpress
ENTRYPOINT ["modelpressd", "--data_dir=/var/lib/modelpress"]
