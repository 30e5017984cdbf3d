"""Every download of the project: the course's datasets by name (archives over HTTP, WikiText-2 from the Hub),
local archives, and Hub models. Readers never download: they get a local path from here."""

from src.data.downloads.fetch import MIRROR_ENV, Located, locate
from src.data.downloads.hub import model_snapshot

__all__ = ["MIRROR_ENV", "Located", "locate", "model_snapshot"]
