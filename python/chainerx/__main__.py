"""python -m chainerx --cmake-dir | --include-dir: where the installed headers and CMake package are."""
import argparse
import os


def _root():
    # The directory of the compiled module: the installed package, or the build tree of an
    # editable install. The headers and the CMake package are installed beside it.
    from chainerx import _core
    return os.path.dirname(os.path.abspath(_core.__file__))


def main():
    parser = argparse.ArgumentParser(prog='python -m chainerx')
    parser.add_argument('--cmake-dir', action='store_true', help='print the directory of chainerxConfig.cmake')
    parser.add_argument('--include-dir', action='store_true', help='print the C++ include directory')
    args = parser.parse_args()
    if args.cmake_dir:
        print(os.path.join(_root(), 'share', 'cmake', 'chainerx'))
    elif args.include_dir:
        print(os.path.join(_root(), 'include'))
    else:
        parser.print_help()


if __name__ == '__main__':
    main()
