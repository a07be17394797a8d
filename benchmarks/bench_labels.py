"""Reading type label photos: read rate and time per photo, barcode and text-only labels.

Setup, not timed: 200 label photos with a barcode (Code 128, Data Matrix and QR in turn) and
200 text-only label photos, drawn by ``sandbox/label_photos.py`` and degraded like phone
photos (rotation up to 20°, perspective, blur, noise, uneven light, JPEG quality 60); master
data holding every printed serial plus 20,000 other devices, so that a misread serial can
land on a real device.

Timed: ``core.labels.read_label`` per photo, as the chat and ``cashback read-label`` call it
(bounded decoding, barcodes; for text-only labels the tesseract program, one thread).
A photo is read correctly when the candidates are exactly the printed serial. A wrong serial
is one offered that is not the printed one; it is "unflagged" when master data knows it (the
installer would see no warning), which the target requires never to happen.

    python -m benchmarks.bench_labels [--photos 200]
"""

from __future__ import annotations

import random
import shutil
from time import perf_counter

from benchmarks.support import arguments, emit, load_campaign, log, median, percentile
from bot.label_reading import Tesseract
from core.labels import TextReader, read_label
from core.masterdata import Device, InMemoryMasterData
from sandbox.label_photos import Symbology, photograph, sample_labels

NAME = "labels"
BARCODES: tuple[Symbology, ...] = ("code128", "datamatrix", "qr")
OTHER_DEVICES = 20_000


def corpus(symbologies: tuple[Symbology, ...], count: int, seed: str) -> list[tuple[str, bytes]]:
    """``count`` (serial, photo) pairs, the same on every run."""
    return [(label.serial, photograph([label], degradation, seed=index))
            for index, (label, degradation) in enumerate(sample_labels(symbologies, count, seed))]


def measure(photos: list[tuple[str, bytes]], masterdata: InMemoryMasterData,
            read_text: TextReader | None) -> dict[str, float]:
    campaign = load_campaign()
    times: list[float] = []
    correct = wrong = unflagged = 0
    for serial, photo in photos:
        started = perf_counter()
        reading = read_label(photo, campaign=campaign, masterdata=masterdata,
                             read_text=read_text)
        times.append((perf_counter() - started) * 1000)
        offered = list(reading.candidates)
        correct += [c.serial for c in offered] == [serial]
        for candidate in offered:
            if candidate.serial != serial:
                wrong += 1
                unflagged += not candidate.flagged
    return {"read_pct": 100 * correct / len(photos), "ms_median": median(times),
            "ms_p95": percentile(times, 0.95), "ms_max": max(times), "wrong": wrong,
            "unflagged": unflagged}


def main() -> None:
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--photos", type=int, default=200, help="photos of each kind")
    options = parser.parse_args()
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise SystemExit("tesseract is not installed (apt-get install tesseract-ocr)")
    log(f"drawing {options.photos} barcode and {options.photos} text-only label photos")
    barcode_photos = corpus(BARCODES, options.photos, "barcodes")
    text_photos = corpus(("none",), options.photos, "text")
    rng = random.Random("others")
    devices = {str(rng.randint(3_000_000_001, 3_999_999_999)): "STP-SE"
               for _ in range(OTHER_DEVICES)}
    devices.update({serial: "STP-SE" for serial, _ in barcode_photos + text_photos})
    masterdata = InMemoryMasterData({s: Device(s, p, None) for s, p in devices.items()})
    log("reading barcode labels")
    barcode = measure(barcode_photos, masterdata, None)
    log("reading text-only labels (tesseract)")
    text = measure(text_photos, masterdata, Tesseract(tesseract))
    log(f"barcode {barcode}, text {text}")
    emit(NAME, options.backend, {
        **{f"barcode_{k}": v for k, v in barcode.items()},
        **{f"text_{k}": v for k, v in text.items()},
        "unflagged_wrong": barcode["unflagged"] + text["unflagged"],
        "photos": 2 * options.photos,
    })


if __name__ == "__main__":
    main()
