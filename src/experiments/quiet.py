"""quiet_lightning: drop Lightning's banner lines and known-harmless warnings from command-line output."""

from __future__ import annotations

import logging
import warnings


def quiet_lightning() -> None:
    """Lightning's banner (GPU/TPU available, LOCAL_RANK, tips) adds nothing to our own summary lines."""
    for name in ("pytorch_lightning", "lightning_fabric", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    # About step-level logging, which this project never does (metrics are logged once per epoch).
    warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
    # Lightning looks for a state_dict on the loader object; the DataCursor callback records the exact position
    # in the checkpoint's data_cursor section (see EpochCursor), so a resumed run continues at the right sample.
    warnings.filterwarnings("ignore", message=".*your dataloader is not resumable.*")
    # A resumed run writes its checkpoints where it wrote them before, on purpose.
    warnings.filterwarnings("ignore", message=r".*Checkpoint directory .* exists and is not empty.*")
    # Raised inside Lightning's batch flattening by newer torch; nothing a user can act on.
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")


def quiet_transformers() -> None:
    """transformers' progress bars (writing shards, de-quantising a GGUF) and advice meant for its own users."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    # peft asks with a name transformers 5.x deprecates (is_gradient_checkpointing); nothing a user can act on.
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
    transformers.utils.logging.disable_progress_bar()
