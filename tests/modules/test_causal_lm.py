"""CausalLMModule: the loss is cross-entropy over real tokens only, the schedule warms up and decays, and a few
steps of fine-tuning lower the validation loss on a small text."""

from __future__ import annotations

import pytest
import torch
from lm_models import VOCAB, tiny_gpt2

from src.data.lm.lm_datamodule import LMDataModule
from src.data.lm.packing import collate_blocks, pack_blocks
from src.modules.causal_lm import CausalLMModule, WarmupLinearDecay, summed_nll


def test_the_loss_counts_real_tokens_only_and_equals_the_models_own():
    model = tiny_gpt2()
    blocks = [torch.arange(10, 30), torch.arange(40, 46)]  # the second is padded to 20
    batch = collate_blocks(blocks, pad_id=0)
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        nll, count = summed_nll(logits, batch["labels"])
        reference = sum(float(model(b[None], labels=b[None]).loss) * (len(b) - 1) for b in blocks)
    assert int(count) == 19 + 5
    assert float(nll) == pytest.approx(reference, rel=1e-5)


def test_the_schedule_warms_up_linearly_then_decays_to_zero():
    schedule = WarmupLinearDecay(warmup_steps=3, total_steps=13)
    assert [schedule(s) for s in range(4)] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert schedule(8) == pytest.approx(0.5) and schedule(13) == 0.0


def test_a_few_steps_of_fine_tuning_lower_the_validation_loss(cpu_trainer):
    pattern = torch.tensor([3, 14, 15, 92, 65, 35, 89, 79, 32, 38] * 40)  # a text the random model cannot know
    train, val = pack_blocks(pattern[:300], 16), [(block, 1) for block in pack_blocks(pattern[300:], 16)]
    module = CausalLMModule(tiny_gpt2(vocab=VOCAB).train(), lr=3e-3, weight_decay=0.0, warmup_steps=2, total_steps=30)
    datamodule = LMDataModule(train, val, batch_size=4, eval_batch_size=8, pad_id=0, seed=0)
    trainer = cpu_trainer(max_steps=30, val_check_interval=10, check_val_every_n_epoch=None, num_sanity_val_steps=0)
    before = trainer.validate(module, datamodule=datamodule, verbose=False)[0]["val/loss"]
    trainer.fit(module, datamodule=datamodule)
    after = trainer.validate(module, datamodule=datamodule, verbose=False)[0]["val/loss"]
    assert after < before - 1.5  # from about ln(96) to below the 10-token unigram's ln(10) + a little
