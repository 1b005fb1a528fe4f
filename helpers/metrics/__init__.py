"""Evaluation metrics, each added once a notebook has taught it (NumPy only, fast to import).

Rooms, by task: ``retrieval`` (distances, ranking, precision@k, mAP, recall of approximate search),
``detection`` (box formats, IoU, NMS, anchors, AP), ``segmentation`` (pixel accuracy, IoU, Dice),
``generative`` (Frechet distance of features, mode coverage), ``captioning`` (BLEU, cross-modal recall@k).
A new metric goes into the room of its task (``similarity``, ``captioning``, ``generative``, ...).
"""

from __future__ import annotations

from helpers.metrics.captioning import bleu_1_to_4, corpus_bleu, cross_modal_recall_at_k, ngram_counts
from helpers.metrics.detection import (
    AP_METHODS,
    BOX_FORMATS,
    average_precision,
    convert_boxes,
    decode_boxes,
    encode_boxes,
    evaluate_detections,
    iou,
    iou_matrix,
    make_anchors,
    match_anchors,
    match_detections,
    nms,
)
from helpers.metrics.generative import frechet_distance, mode_coverage
from helpers.metrics.retrieval import (
    RETRIEVAL_METRICS,
    mean_average_precision,
    pairwise_distances,
    precision_at_k,
    rank_gallery,
    recall_at_k,
    retrieval_average_precision,
)
from helpers.metrics.segmentation import (
    class_iou,
    dice_coefficient,
    mask_iou,
    mean_iou,
    pixel_accuracy,
    pixel_confusion_matrix,
)

__all__ = [
    "bleu_1_to_4",
    "corpus_bleu",
    "cross_modal_recall_at_k",
    "ngram_counts",
    "frechet_distance",
    "mode_coverage",
    "AP_METHODS",
    "BOX_FORMATS",
    "RETRIEVAL_METRICS",
    "average_precision",
    "class_iou",
    "convert_boxes",
    "decode_boxes",
    "dice_coefficient",
    "encode_boxes",
    "evaluate_detections",
    "iou",
    "iou_matrix",
    "make_anchors",
    "mask_iou",
    "match_anchors",
    "match_detections",
    "mean_average_precision",
    "mean_iou",
    "nms",
    "pairwise_distances",
    "pixel_accuracy",
    "pixel_confusion_matrix",
    "precision_at_k",
    "rank_gallery",
    "recall_at_k",
    "retrieval_average_precision",
]
