#!/usr/bin/env bash
# Installs the native libraries Paradiffuse links against, when they are missing:
# oneDNN 3.2 (Intel's PyPI binaries, GNU OpenMP) into /usr/local, and Debian's libpng-dev, libjpeg62-turbo-dev
# and Open MPI.
set -euo pipefail

ONEDNN_VERSION=2023.2.0
PREFIX=/usr/local
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

have_onednn() {
  [ -f "$PREFIX/include/oneapi/dnnl/dnnl.h" ] && [ -e "$PREFIX/lib/libdnnl.so.3" ] && [ -f "$PREFIX/lib/pkgconfig/dnnl.pc" ]
}

install_onednn() {
  echo "Installing oneDNN $ONEDNN_VERSION (PyPI: onednn-cpu-gomp, onednn-devel-cpu-gomp) into $PREFIX"
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  python3 -m pip download --quiet --no-deps --dest "$work" \
    "onednn-cpu-gomp==$ONEDNN_VERSION" "onednn-devel-cpu-gomp==$ONEDNN_VERSION"
  for wheel in "$work"/*.whl; do
    python3 -m zipfile -e "$wheel" "$work/unpacked"
  done
  local data
  for data in "$work"/unpacked/*.data/data; do
    [ -d "$data/include" ] && $SUDO cp -r "$data/include/." "$PREFIX/include/"
    [ -f "$data/lib/libdnnl.so.3.2" ] && $SUDO cp "$data/lib/libdnnl.so.3.2" "$PREFIX/lib/"
  done
  # Wheels (zip files) keep no symbolic links: make the usual ones.
  $SUDO ln -sf libdnnl.so.3.2 "$PREFIX/lib/libdnnl.so.3"
  $SUDO ln -sf libdnnl.so.3 "$PREFIX/lib/libdnnl.so"
  $SUDO mkdir -p "$PREFIX/lib/pkgconfig"
  $SUDO tee "$PREFIX/lib/pkgconfig/dnnl.pc" >/dev/null <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: dnnl
Description: oneAPI Deep Neural Network Library (oneDNN), CPU, GNU OpenMP
Version: 3.2.0
Libs: -L\${libdir} -ldnnl
Cflags: -I\${includedir}
PC
  $SUDO ldconfig
}

have_libpng() {
  dpkg -s libpng-dev >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1
}

install_debian_packages() {
  echo "Installing Debian packages: $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

have_libjpeg() {
  dpkg -s libjpeg62-turbo-dev >/dev/null 2>&1
}

have_open_mpi() {
  dpkg -s libopenmpi-dev openmpi-bin >/dev/null 2>&1
}

have_onednn || install_onednn
have_libpng || install_debian_packages libpng-dev pkg-config
have_libjpeg || install_debian_packages libjpeg62-turbo-dev
have_open_mpi || install_debian_packages libopenmpi-dev openmpi-bin
