"""helpers.summaries projector export (chapter 3): the sprite, the metadata TSV, the checkpointed
embedding variable and the config, read back by TensorBoard's own projector plugin."""
from __future__ import annotations

import io

import numpy as np
import pytest

from helpers import summaries


class _NoRuns:
    """The smallest data provider the projector plugin accepts: no event-file runs."""

    def list_runs(self, ctx, experiment_id):  # noqa: ANN001, D102
        return []


def _plugin(logdir):
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.projector.projector_plugin import ProjectorPlugin

    return ProjectorPlugin(base_plugin.TBContext(logdir=str(logdir), data_provider=_NoRuns()))


def _get(app, query: str):
    from werkzeug.test import Client

    return Client(app).get("/?" + query)


def test_make_sprite_tiles_row_by_row():
    imgs = np.stack([np.full((2, 3), v, np.uint8) for v in (10, 20, 30, 40, 50)])
    sprite = summaries.make_sprite(imgs)
    assert sprite.shape == (3 * 2, 3 * 3) and sprite.dtype == np.uint8  # ceil(sqrt(5)) = 3 tiles a side
    assert sprite[0, 0] == 10 and sprite[0, 3] == 20 and sprite[0, 6] == 30 and sprite[2, 0] == 40
    assert sprite[2, 3] == 50 and sprite[2, 6] == 0 and sprite[4, 0] == 0
    floats = summaries.make_sprite(np.ones((4, 2, 2, 3)) * 0.5)
    assert floats.shape == (4, 4, 3) and np.all(floats == 128)


@pytest.mark.parametrize("images, message", [
    (np.zeros((0, 4, 4)), "N > 0"),
    (np.zeros((4, 4)), "shape"),
    (np.zeros((3, 4, 4, 2)), "shape"),
    (np.zeros((400, 500, 500)), "at most 8192"),
])
def test_make_sprite_rejects_bad_input(images, message):
    with pytest.raises(ValueError, match=message):
        summaries.make_sprite(images)


def test_export_is_read_back_by_the_projector_plugin(tmp_path):
    from PIL import Image
    from tensorboard.plugins.projector import ProjectorConfig
    from google.protobuf import text_format

    rng = np.random.default_rng(0)
    feats = rng.normal(size=(10, 6)).astype(np.float32)
    labels = np.arange(10) % 3
    images = rng.integers(0, 256, size=(10, 8, 8), dtype=np.uint8)
    out = summaries.export_projector(tmp_path, feats, labels=labels, images=images)

    assert out["tensor_name"] == "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    assert out["metadata"].read_text().splitlines() == [str(v) for v in labels]  # one column: no header
    sprite = np.asarray(Image.open(out["sprite"]))
    assert sprite.shape == (32, 32, 3)
    np.testing.assert_array_equal(sprite[:8, 8:16, 0], images[1])
    config = text_format.Parse(out["config"].read_text(), ProjectorConfig())
    emb = config.embeddings[0]
    assert emb.tensor_name == out["tensor_name"] and emb.metadata_path == "metadata.tsv"
    assert emb.sprite.image_path == "sprite.png" and list(emb.sprite.single_image_dim) == [8, 8]

    plugin = _plugin(tmp_path)
    plugin._update_configs()
    assert list(plugin._configs) == ["."]
    served = plugin._configs["."].embeddings
    assert [list(e.tensor_shape) for e in served if e.tensor_name == out["tensor_name"]] == [[10, 6]]
    reply = _get(plugin._serve_tensor, f"run=.&name={out['tensor_name']}")
    assert reply.status_code == 200
    np.testing.assert_array_equal(np.frombuffer(reply.data, np.float32).reshape(10, 6), feats)
    meta = _get(plugin._serve_metadata, f"run=.&name={out['tensor_name']}")
    assert meta.status_code == 200 and meta.get_data(as_text=True).split() == [str(v) for v in labels]
    png = _get(plugin._serve_sprite_image, f"run=.&name={out['tensor_name']}")
    assert png.status_code == 200
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png.data))), sprite)


def test_metadata_with_several_columns_has_a_header(tmp_path):
    out = summaries.export_projector(tmp_path, np.eye(3), labels={"digit": [1, 2, 3], "split": ["a", "b", "a"]})
    assert out["metadata"].read_text().splitlines() == ["digit\tsplit", "1\ta", "2\tb", "3\ta"]
    assert "sprite" not in out


@pytest.mark.parametrize("kwargs, message", [
    ({"features": np.zeros(5)}, "2-D"),
    ({"features": np.zeros((3, 2)), "labels": [1, 2]}, "lengths"),
    ({"features": np.zeros((3, 2)), "labels": ["a\tb", "c", "d"]}, "tabs"),
    ({"features": np.zeros((3, 2)), "images": np.zeros((2, 4, 4))}, "2 images"),
    ({"features": np.zeros((3, 2)), "name": "my embedding"}, "identifier"),
])
def test_export_rejects_bad_input(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summaries.export_projector(tmp_path, **kwargs)
