"""Augmentation against a reference loop, normalisation, seeding, and the embedded digits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from builders import classifier, datamodule

from src.data import ImageSplits, channel_statistics, load_digits_splits
from src.data.augment import random_crop, random_hflip
from src.data.image_datamodule import batch_used


def test_random_crop_equals_a_per_image_reference():
    images = torch.randn(6, 3, 8, 10)
    cropped = random_crop(images, padding=2, generator=torch.Generator().manual_seed(5))
    offsets = torch.randint(0, 5, (2, 6), generator=torch.Generator().manual_seed(5))  # the same draws
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2))
    for b in range(6):
        dy, dx = offsets[0, b].item(), offsets[1, b].item()
        assert torch.equal(cropped[b], padded[b, :, dy : dy + 8, dx : dx + 10]), b


def test_random_hflip_equals_a_per_image_reference():
    images = torch.randn(64, 3, 4, 5)
    flipped = random_hflip(images, torch.Generator().manual_seed(1))
    coins = torch.rand(64, generator=torch.Generator().manual_seed(1)) < 0.5
    for b in range(64):
        expected = images[b].flip(-1) if coins[b] else images[b]
        assert torch.equal(flipped[b], expected)
    assert 10 < int(coins.sum()) < 54  # both happen


def tiny_splits(n=40, seed=0) -> ImageSplits:
    rng = np.random.default_rng(seed)
    images = torch.from_numpy(rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8))
    labels = torch.from_numpy(rng.integers(0, 10, n))
    return ImageSplits(
        "tiny", "test", tuple("0123456789"), (images, labels), (images[:8], labels[:8]), (images[:8], labels[:8])
    )


def test_training_batches_are_normalised_per_channel():
    splits = tiny_splits()
    module = datamodule(splits, batch_size=40)
    images, labels = next(iter(module.train_dataloader()))
    assert images.dtype == torch.uint8 and images.shape == (40, 3, 32, 32)  # pixels travel as bytes
    normalised, same_labels = module.on_after_batch_transfer((images, labels), 0)
    assert torch.equal(same_labels, labels)
    np.testing.assert_allclose(normalised.double().mean(dim=(0, 2, 3)).numpy(), 0, atol=1e-5)
    np.testing.assert_allclose(normalised.double().std(dim=(0, 2, 3)).numpy(), 1, atol=1e-4)
    reference = (images.double() / 255 - (splits.train[0].double() / 255).mean(dim=(0, 2, 3))[:, None, None]) / (
        splits.train[0].double() / 255
    ).std(dim=(0, 2, 3))[:, None, None]
    torch.testing.assert_close(normalised.double(), reference, atol=1e-5, rtol=1e-5)


def test_batches_hold_the_right_images_in_a_seeded_order():
    splits = tiny_splits()
    order = [next(iter(datamodule(splits, batch_size=8, seed=s).train_dataloader()))[1] for s in (1, 1, 2)]
    assert torch.equal(order[0], order[1]) and not torch.equal(order[0], order[2])
    images, labels = next(iter(datamodule(splits, batch_size=40, seed=1).train_dataloader()))
    index = {splits.train[0][i].numpy().tobytes(): i for i in range(40)}
    for image, label in zip(images, labels, strict=True):
        assert splits.train[1][index[image.numpy().tobytes()]] == label  # image and label stay paired


def test_augmentation_only_when_asked_and_only_in_training():
    splits = tiny_splits()
    batch = next(iter(datamodule(splits, batch_size=16).val_dataloader()))
    plain = datamodule(splits, batch_size=16).on_after_batch_transfer(batch, 0)[0]
    augmenting = datamodule(splits, batch_size=16, augment=True)
    assert torch.equal(augmenting.on_after_batch_transfer(batch, 0)[0], plain)  # no training: no augmentation
    assert torch.equal(augmenting.prepare_batch(batch)[0], plain)
    crops = augmenting.prepare_batch(batch, augment_at=(0, 3))[0]
    assert not torch.equal(crops, plain)
    # The randomness of a batch depends only on (seed, epoch, batch index): what a resumed run relies on.
    assert torch.equal(datamodule(splits, batch_size=16, augment=True).prepare_batch(batch, (0, 3, 0))[0], crops)
    assert not torch.equal(augmenting.prepare_batch(batch, augment_at=(0, 4))[0], crops)
    assert not torch.equal(augmenting.prepare_batch(batch, augment_at=(1, 3))[0], crops)


def test_digits_are_real_and_split_without_overlap():
    from sklearn.datasets import load_digits

    splits = load_digits_splits(seed=0)
    assert splits.sizes() == {"train": 1437, "val": 180, "test": 180}
    assert splits.image_shape == (3, 32, 32)
    labels = torch.cat([splits.train[1], splits.val[1], splits.test[1]])
    assert np.bincount(labels.numpy()).tolist() == np.bincount(load_digits().target).tolist()
    images = torch.cat([splits.train[0], splits.val[0], splits.test[0]])
    assert torch.equal(images[:, 0], images[:, 1]) and torch.equal(images[:, 0], images[:, 2])
    assert images.max() == 255 and images.min() == 0
    # 8x8 -> 32x32 and back (4x4 block means): every image is nearest to an original scan of its own label
    back = images[:, 0].double().reshape(-1, 8, 4, 8, 4).mean(dim=(2, 4)).reshape(-1, 64) / 255 * 16
    originals = torch.tensor(load_digits().images).double().reshape(-1, 64)
    nearest = torch.cdist(back, originals).argmin(dim=1)
    assert torch.equal(torch.tensor(load_digits().target)[nearest], labels)
    assert (back - originals[nearest]).abs().mean() < 1.5  # on the 0..16 scale of the scans
    assert len(set(nearest.tolist())) >= 1790  # a permutation of the originals (a few scans are near-duplicates)
    assert not torch.equal(load_digits_splits(seed=1).test[0], splits.test[0])


@pytest.mark.parametrize("seed", [0, 1])
def test_digit_splits_are_deterministic(seed):
    a, b = load_digits_splits(seed), load_digits_splits(seed)
    assert torch.equal(a.train[0], b.train[0]) and torch.equal(a.test[1], b.test[1])


def test_inputs_that_are_not_pixel_batches_pass_unchanged(cpu_trainer):
    """Lightning's model summary sends the example_input_array through on_after_batch_transfer."""
    images = datamodule(tiny_splits(n=16), batch_size=8)
    example = torch.zeros(1, 3, 32, 32)
    assert images.on_after_batch_transfer(example, 0) is example
    trainer = cpu_trainer(max_epochs=1, enable_model_summary=True, limit_train_batches=1, limit_val_batches=1)
    trainer.fit(classifier(lr_decay="none"), datamodule=images)  # crashed before the fix


def test_channel_statistics_equal_the_float64_computation():
    images = torch.from_numpy(np.random.default_rng(3).integers(0, 256, (50, 3, 8, 8), dtype=np.uint8))
    mean, std = channel_statistics(images)
    reference = images.double() / 255.0
    assert torch.equal(mean, reference.mean(dim=(0, 2, 3)).float())
    assert torch.equal(std, reference.std(dim=(0, 2, 3)).float())


def test_channel_statistics_need_no_float_copy_of_the_images():
    """Regression: the statistics were computed on a float64 copy of the whole training set (about 3 GB peak
    for CIFAR-10). Measured in a fresh process: peak memory growth while computing them."""
    code = (
        "import importlib.util, resource, sys, numpy, torch\n"
        "# the module alone: src.data's package would load Lightning too (seconds), which this needs not\n"
        "spec = importlib.util.spec_from_file_location('image_splits', 'src/data/image_splits.py')\n"
        "module = sys.modules['image_splits'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "channel_statistics = module.channel_statistics\n"
        "pixels = numpy.random.default_rng(0).integers(0, 256, (45000, 3, 32, 32), dtype=numpy.uint8)\n"
        "images = torch.from_numpy(pixels)  # CIFAR-10's training set\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "channel_statistics(images)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)  # KiB on Linux -> MiB\n"
    )
    root = Path(__file__).resolve().parents[2]
    growth_mib = float(subprocess.check_output([sys.executable, "-c", code], cwd=root, text=True))
    assert growth_mib < 300  # a float64 copy alone is 1,055 MiB


def test_under_ddp_each_rank_draws_its_own_augmentation():
    """Regression: every DDP process drew the same crops and flips (the per-batch seed ignored the rank).
    Rank 0 draws exactly what a single process drew before the fix, so single-process runs are unchanged."""
    images = datamodule(tiny_splits(), augment=True, seed=3)
    batch = (images.splits.train[0][:16], images.splits.train[1][:16])
    progress = SimpleNamespace(current=SimpleNamespace(ready=5))  # the batch index Lightning is transferring
    loop = SimpleNamespace(epoch_loop=SimpleNamespace(batch_progress=progress))
    augmented = {}
    for rank in (0, 1):
        images.trainer = SimpleNamespace(training=True, current_epoch=2, global_rank=rank, fit_loop=loop)
        augmented[rank] = images.on_after_batch_transfer(batch, 0)[0]
    assert torch.equal(augmented[1], images.prepare_batch(batch, (2, 5, 1))[0])
    assert not torch.equal(augmented[0], augmented[1])
    before_the_fix = int(np.random.SeedSequence([3, 2, 5]).generate_state(1)[0])
    rank0 = images.augment_generator(torch.device("cpu"), 2, 5, rank=0)
    assert torch.equal(
        torch.rand(8, generator=rank0), torch.rand(8, generator=torch.Generator().manual_seed(before_the_fix))
    )


@pytest.mark.parametrize(("precision", "dtype"), [("64-true", torch.float64), ("bf16-true", torch.bfloat16)])
def test_batches_have_the_parameters_dtype_under_a_true_precision(cpu_trainer, precision, dtype):
    """Regression: `classify --precision 64-true` crashed (float32 images into float64 convolutions)."""
    module = datamodule(tiny_splits())
    module.trainer = cpu_trainer(precision=precision)
    batch = (module.splits.train[0][:4], module.splits.train[1][:4])
    images, _ = module.on_after_batch_transfer(batch, 0)
    assert images.dtype == dtype
    reference = module.prepare_batch(batch)[0] if dtype == torch.float64 else None
    if reference is not None:
        expected = (batch[0].double() / 255 - module.mean.double()[:, None, None]) / module.std.double()[:, None, None]
        torch.testing.assert_close(reference, expected)


def test_a_fixed_normalisation_and_an_evaluation_batch_size():
    splits = tiny_splits()
    course = ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))
    module = datamodule(splits, batch_size=16, eval_batch_size=5, normalization=course)
    assert module.mean.tolist() == pytest.approx(course[0]) and module.std.tolist() == pytest.approx(course[1])
    assert len(next(iter(module.train_dataloader()))[1]) == 16
    assert len(next(iter(module.val_dataloader()))[1]) == 5
    with pytest.raises(ValueError, match="needs 3 means and stds"):
        datamodule(splits, normalization=((0.5,), (0.2,)))


def test_the_batch_really_used_is_at_most_the_training_images():
    splits = tiny_splits()  # 40 training images
    module = datamodule(splits, batch_size=100_000)
    assert len(next(iter(module.train_dataloader()))[1]) == 40 == module.train_batch_size  # what a batch holds
    assert datamodule(splits, batch_size=16).train_batch_size == 16
    assert batch_used(100_000, 1_437) == 1_437 and batch_used(64, 1_437) == 64
    assert batch_used(100_000, 1_437, world_size=2) == 719  # a DistributedSampler's share: ceil(1437 / 2)
