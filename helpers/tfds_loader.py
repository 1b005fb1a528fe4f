"""TFDS datasets through the course's download rules: a quick reachability probe, one DownloadError, mirrors.

``load_tfds`` is ``tfds.load`` into ``<DLCV_DATA_DIR>/tfds`` with the failures of a TFDS download turned into
``helpers.download.DownloadError``, a dataset prepared in ``<DLCV_MIRROR folder>/tfds`` read in place, and
``DLCV_TFDS_PROBE=0`` to skip the probe.
"""
from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from pathlib import Path
from typing import Any

from helpers.config import default_data_dir
from helpers.download import PROBE_TIMEOUT, DownloadError, mirror_base


def _tfds_probe_urls(builder: Any, probe_url: str | None) -> list[str]:
    """URLs a TFDS download would need: the caller's, else the first of the builder's checksums file."""
    if probe_url:
        return [probe_url]
    try:
        return list(builder.url_infos or {})[:1]
    except Exception:  # older/newer TFDS without checksums, or missing optional deps
        return []


def _probe(url: str, timeout: float) -> str | None:
    """None when the host answers (any HTTP status), else the reason it cannot be reached."""
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "dlcv-helpers"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, HTTPException, OSError) as e:
        return str(getattr(e, "reason", None) or e)


def _probe_enabled() -> bool:
    """``DLCV_TFDS_PROBE=0`` (or false/no/off) turns the reachability check off, e.g. behind a proxy
    that refuses HEAD requests, or where TFDS's download is served by something else."""
    return os.environ.get("DLCV_TFDS_PROBE", "1").strip().lower() not in {"0", "false", "no", "off"}


def _tfds_error(dataset: str, name: str, folder: Path, reason: object, url: str = "") -> DownloadError:
    where = f" from {url}" if url else ""
    return DownloadError(
        f"Could not download {dataset} (TFDS {name!r}){where}: {reason}\n"
        f"Cache path: {folder}\nWay out: set DLCV_SMOKE=1 for the offline smoke data, or prepare the "
        f"TFDS dataset into {folder} on a machine with network and copy it here",
        dataset=dataset, url=url or None, path=folder)


def _mirror_tfds_dir() -> Path | None:
    """``<DLCV_MIRROR>/tfds`` when the mirror is a local folder that has one (prepared TFDS datasets)."""
    base = mirror_base()
    if base is None or urllib.parse.urlparse(base).scheme != "file":
        return None
    folder = Path(urllib.request.url2pathname(urllib.parse.urlparse(base).path)) / "tfds"
    return folder if folder.is_dir() else None


def load_tfds(name: str, *, split: Any, data_dir: str | os.PathLike | None = None,
              as_supervised: bool = True, dataset: str | None = None, probe_url: str | None = None,
              **kw: Any) -> Any:
    """``tfds.load`` into ``<data_dir>/tfds``, with download failures turned into one DownloadError.

    When the dataset is not prepared yet, its download host is probed first so that being
    offline fails in seconds (TFDS itself retries for minutes): ``probe_url`` when given, else the
    first URL of the builder's checksums file (``DLCV_TFDS_PROBE=0`` skips this).  A dataset already prepared in ``<DLCV_MIRROR>/tfds``
    (a mirror given as a local folder) is read from there.
    """
    import tensorflow_datasets as tfds

    folder = Path(data_dir if data_dir is not None else default_data_dir()) / "tfds"
    dataset = dataset or name
    builder = tfds.builder(name, data_dir=folder)
    shared = _mirror_tfds_dir()
    if shared is not None and not builder.is_prepared():
        prepared = tfds.builder(name, data_dir=shared)
        if prepared.is_prepared():  # read from the mirror folder, never written to
            folder, builder = shared, prepared
    if not builder.is_prepared() and _probe_enabled():
        for url in _tfds_probe_urls(builder, probe_url):
            reason = _probe(url, PROBE_TIMEOUT)
            if reason is not None:
                raise _tfds_error(dataset, name, folder, reason, url)
    try:
        return tfds.load(name, split=split, data_dir=folder, as_supervised=as_supervised, **kw)
    except OSError as e:  # includes requests' ConnectionError
        raise _tfds_error(dataset, name, folder, e) from None
    except Exception as e:
        if type(e).__module__.startswith("tensorflow_datasets.core.download"):
            raise _tfds_error(dataset, name, folder, e) from None
        raise
