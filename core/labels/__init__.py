"""Serial numbers read from a photo of a device's type label (barcodes, then text)."""

from core.labels.image import ImageLimits, UnreadableImage
from core.labels.reading import Candidate, LabelReading, Source, TextReader, read_label

__all__ = ["Candidate", "ImageLimits", "LabelReading", "Source", "TextReader", "UnreadableImage",
           "read_label"]
