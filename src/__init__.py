"""Classic deep-learning experiments (LMS vs Wiener, SimpleNN, CIFAR-10) with PyTorch Lightning."""
