"""python -m chainerx --cmake-dir | --include-dir: where the installed headers and CMake package are."""
import argparse
import os

_root = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(prog='python -m chainerx')
    parser.add_argument('--cmake-dir', action='store_true', help='print the directory of chainerxConfig.cmake')
    parser.add_argument('--include-dir', action='store_true', help='print the C++ include directory')
    args = parser.parse_args()
    if args.cmake_dir:
        print(os.path.join(_root, 'share', 'cmake', 'chainerx'))
    elif args.include_dir:
        print(os.path.join(_root, 'include'))
    else:
        parser.print_help()


if __name__ == '__main__':
    main()
