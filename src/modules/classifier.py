"""ImageClassifier: trains an image model (SimpleNN by default) with cross-entropy, SGD or Adam."""

from __future__ import annotations

import dataclasses
import typing

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics import MeanMetric
from torchmetrics.classification import MulticlassAccuracy, MulticlassConfusionMatrix

from src.config.images import LRDecay, Optimizer
from src.internals import LeanHookBookkeeping
from src.modules.epoch_lr import EpochLearningRate
from src.modules.image_models import ImageModelSpec, build_image_model
from src.modules.recipe import ClassifierRecipe
from src.modules.step_schedule import StepSchedule

OPTIMIZERS = typing.get_args(Optimizer)
LR_DECAYS = (*typing.get_args(LRDecay), "milestones")


class ImageClassifier(LeanHookBookkeeping, EpochLearningRate, pl.LightningModule):
    """Logs train/loss, train/acc, train/lr, val/loss, val/acc once per epoch and test/loss, test/acc.

    Metrics accumulate in torchmetrics objects during the epoch (no per-step self.log, no host sync) and are
    computed at epoch end; under DDP `compute()` synchronises them across processes. Testing also fills
    `test_confusion` (rows: true class, columns: predicted).

    What the classifier is (`spec`: the network, its input, classes and normalisation) and how it trains
    (`recipe`: optimizer and schedule, src/modules/recipe.py) are saved flat in the hyperparameters, so that a
    checkpoint alone rebuilds the network and its preprocessing (`predict`); an nn.Module given as `model`
    instead cannot be rebuilt. The default is SimpleNN without its final ReLU: a ReLU on the logits could not
    express negative class scores. `channels_last` and `compile` change how fast, not what, it computes. The
    training settings have no defaults here: they are options, whose defaults live in src/config/images.py.
    """

    def __init__(
        self,
        model: nn.Module | None = None,
        *,
        spec: ImageModelSpec,
        recipe: ClassifierRecipe,
        channels_last: bool,
        compile: bool,
    ) -> None:
        super().__init__()
        if recipe.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {recipe.optimizer!r}")
        if recipe.lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {recipe.lr_decay!r}")
        num_classes, input_shape = spec.num_classes, spec.input_shape
        if model is None and spec.model_name is None:
            options = {"num_classes": num_classes, "in_channels": input_shape[0], "final_relu": False}
            spec = dataclasses.replace(spec, model_name="SimpleNN", model_options=options)
        # Flat, with the same names and values as when each was a keyword argument: checkpoints keep their format.
        hparams = {**spec.as_hparams(), **recipe.as_hparams(), "channels_last": channels_last, "compile": compile}
        self.save_hyperparameters(hparams)
        self.model = model if model is not None else build_image_model(spec.model_name, spec.model_options or {})
        self.example_input_array = torch.zeros(1, *input_shape)
        self.train_loss, self.val_loss, self.test_loss = MeanMetric(), MeanMetric(), MeanMetric()
        self.train_acc = MulticlassAccuracy(num_classes, average="micro")
        self.val_acc = MulticlassAccuracy(num_classes, average="micro")
        self.test_acc = MulticlassAccuracy(num_classes, average="micro")
        self.test_confusion = MulticlassConfusionMatrix(num_classes)
        self.confusion: torch.Tensor | None = None  # (num_classes, num_classes) counts of the last test
        metrics = (self.train_loss, self.val_loss, self.test_loss, self.train_acc, self.val_acc, self.test_acc)
        for metric in metrics:
            # In the state_dict, so a checkpoint taken mid-epoch carries the half-finished epoch's sums and a
            # resumed run reports the same epoch numbers as an uninterrupted one.
            metric.persistent(True)
        self._compiled_forward = None

    def configure_model(self) -> None:
        # Called once the module is on its device. channels_last lays weights out as (N, H, W, C), which the
        # convolution kernels of GPUs (and oneDNN on CPU) prefer; inputs follow in forward.
        if self.hparams.channels_last:
            self.model.to(memory_format=torch.channels_last)
        if self.hparams.compile and self._compiled_forward is None:
            # Compile the wrapped model's forward only: parameter names, the state_dict and the layer summary
            # (which calls the plain module) stay exactly as without compilation. Static shapes: the few batch
            # sizes of a fit (training, its last partial batch, evaluation) each get their own graph.
            object.__setattr__(self, "_compiled_forward", torch.compile(self.model.forward, dynamic=False))

    def forward(self, images: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, num_classes) logits
        if self.hparams.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        if self._compiled_forward is not None:
            return self._compiled_forward(images)
        return self.model(images)

    def _step(self, batch: tuple[torch.Tensor, torch.Tensor], loss_metric: MeanMetric, acc: MulticlassAccuracy):
        images, labels = batch
        logits = self(images)
        loss = F.cross_entropy(logits, labels)
        loss_metric.update(loss.detach(), weight=labels.numel())  # weighted: the exact mean over samples
        acc.update(logits.detach(), labels)
        return loss

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        return self._step(batch, self.train_loss, self.train_acc)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._step(batch, self.val_loss, self.val_acc)

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        images, labels = batch
        logits = self(images)
        self.test_loss.update(F.cross_entropy(logits, labels).detach(), weight=labels.numel())
        self.test_acc.update(logits.detach(), labels)
        self.test_confusion.update(logits.detach(), labels)

    def on_train_batch_end(self, outputs: object, batch: object, batch_idx: int) -> None:
        # Stopping through should_stop (not Trainer(max_steps)) lets Lightning validate the partial last epoch.
        if self.hparams.max_steps and self.trainer.global_step >= self.hparams.max_steps:
            self.trainer.should_stop = True

    def _log_epoch(self, stage: str, loss: MeanMetric, acc: MulticlassAccuracy) -> None:
        # Logging the metric objects lets Lightning call their compute() (synchronised across DDP processes by
        # torchmetrics) and reset them; a tensor would be averaged over ranks again, which is not exact.
        self.log_dict({f"{stage}/loss": loss, f"{stage}/acc": acc})

    def on_train_epoch_end(self) -> None:
        self._log_epoch("train", self.train_loss, self.train_acc)
        self.log("train/lr", self.epoch_lr, rank_zero_only=True)  # the same on every rank by construction

    def on_validation_epoch_end(self) -> None:
        self._log_epoch("val", self.val_loss, self.val_acc)

    def on_test_epoch_start(self) -> None:
        self.test_confusion.reset()

    def on_test_epoch_end(self) -> None:
        self.confusion = self.test_confusion.compute().cpu()  # synchronised across DDP processes
        self._log_epoch("test", self.test_loss, self.test_acc)

    @property
    def spec(self) -> ImageModelSpec:
        return ImageModelSpec.from_hparams(self.hparams)

    @property
    def recipe(self) -> ClassifierRecipe:
        return ClassifierRecipe.from_hparams(self.hparams)

    def configure_optimizers(self) -> dict:
        hp = self.recipe
        if hp.optimizer == "sgd":
            optimizer = torch.optim.SGD(
                self.parameters(),
                lr=hp.lr,
                momentum=hp.momentum,
                weight_decay=hp.weight_decay,
                nesterov=hp.momentum > 0 if hp.nesterov is None else hp.nesterov,
            )
        else:
            optimizer = torch.optim.Adam(self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        if hp.lr_decay == "none":
            return {"optimizer": optimizer}
        if hp.lr_decay == "milestones":  # per optimizer step, so the drops land on the iterations asked for
            schedule = StepSchedule(tuple(hp.milestones), hp.warmup_steps)
            scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
        if hp.lr_decay == "cosine":
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, hp.max_epochs))
        else:  # "step": x0.1 at half and at three quarters of the epochs
            milestones = sorted({max(1, hp.max_epochs // 2), max(1, (3 * hp.max_epochs) // 4)})
            scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=milestones, gamma=0.1)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}
