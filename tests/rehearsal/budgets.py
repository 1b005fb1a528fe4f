"""Tiny budgets for the two rehearsals (full mode offline, Colab's versions): papermill parameters per notebook.

Both rehearsals check that a notebook *runs* in another setting (full-mode download and loading paths and
branches; Colab's package versions and setup cell), not what it learns: the smoke run of
``tests/test_notebooks.py`` checks the results, at the smoke budgets. So the rehearsals run every cell of
every notebook with the step, epoch and sample counts below, which each notebook's ``cfg.pick(full, smoke,
OVERRIDE)`` takes in place of its own budget. Only counts are changed; shapes that decide which file is
fetched (e.g. chapter 3's ``PHOTO_SIZE``: MobileNetV2's 128-pixel weights) or which branch runs keep the
notebook's values. The names are those of each notebook's ``parameters`` cell
(``test_budgets_name_parameters_the_notebooks_have`` checks that).
"""
from __future__ import annotations

TINY: dict[str, dict[str, object]] = {
    "01": {"PLAYGROUND_EPOCHS": 5, "REG_EPOCHS": 5},
    "02": {"SOFTMAX_STEPS": 20, "CNN_STEPS": 10, "EVAL_EVERY": 5, "KERAS_EPOCHS": 1, "KERAS_TRAIN": 256,
           "FASHION_EPOCHS": 1, "APPAREL_EPOCHS": 1, "CVD_PER_CLASS": [16, 8], "CVD_EPOCHS": 1, "AUG_EPOCHS": 1,
           "HEAD_EPOCHS": 1, "FREEZE_EPOCHS": 1, "FINETUNE_EPOCHS": 1},
    "03": {"EPOCHS": 1, "N_TRAIN": 1000, "N_EMBED": 200, "TSNE_POINTS": 100, "VIS_STEPS": 2, "AM_STEPS": 10,
           "DREAM_SIZE": 96, "DREAM_STEPS": 1, "FGSM_SAMPLES": 100, "LAT_REQUESTS": 10, "GALLERY_SIZE": 200,
           "ANN_VECTORS": 2000, "ANN_DIM": 32, "ANN_QUERIES": 50, "AE_EPOCHS": 1, "DAE_EPOCHS": 1},
    "04": {"CLF_EPOCHS": 1, "REG_SAMPLES": 256, "REG_EPOCHS": 1, "YOLO_SAMPLES": 256, "YOLO_EPOCHS": 1,
           "PED_IMAGES": 8},
    "05": {"UNET_IMAGES": 64, "UNET_EPOCHS": 1, "SCENES": 64, "SEGNET_EPOCHS": 1, "FCN_EPOCHS": 1},
    "06": {"STEPS": 16, "FACE_SAMPLES": 300, "FACE_EPOCHS": 1, "FACE_STEPS": 10},
    # W2V_SENTENCES and W2V_EPOCHS keep the notebook's values: exercise 2's self-check needs a trained 2-D
    # skip-gram (loss < 0.6; 500 sentences x 1 epoch gave 0.652), and those runs take seconds
    "07": {"MAX_IMAGES": 100, "PRETRAIN_EPOCHS": 1, "RETRIEVAL_EPOCHS": 1, "CAPTION_EPOCHS": 1},
    "08": {"STYLE_EVALS": 3, "SR_STEPS": 10, "GAN_STEPS": 20, "GAN_DIGITS": 1000, "P2P_STEPS": 10,
           "INFO_STEPS": 10, "DIFF_STEPS": 10, "TOY_STEPS": 20, "TOY_SEEDS": 1},
    "09": {"N_CLIPS": 160, "EPOCHS": 1, "NEXT_EPOCHS": 1, "UCF_PER_CLASS": [8, 4]},
    "10": {"EPOCHS": 1, "QAT_EPOCHS": 1, "QAT_IMAGES": 500, "TINY_EPOCHS": 1, "CALIBRATION": 20, "LAT_RUNS": 10,
           "BENCH_RUNS": 3, "MOBILENET": [0.35, 96]},
}


def tiny(notebook: str, **extra: object) -> dict[str, object]:
    """The tiny budgets of ``notebook`` (its two-digit number or file name), updated with ``extra``."""
    return {**TINY[notebook[:2]], **extra}


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children (papermill and the kernel it waits
    for): printed beside each rehearsal's wall time, as it varies much less with the machine's load."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
