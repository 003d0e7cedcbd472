"""Optional debug log file of the integration."""

import logging
import os
from logging import Formatter
from logging.handlers import RotatingFileHandler

FMT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


def init(logger_name: str, config: dict, config_dir: str | None = None) -> None:
    logger = logging.getLogger(logger_name)
    logger.propagate = config.get("propagate", True)
    logger.setLevel(config.get("level", "debug").upper())
    filename = config.get("filename")
    if not filename:
        return
    if config_dir:
        filename = os.path.join(config_dir, filename)
    handler = RotatingFileHandler(filename, config.get("mode", "a"), config.get("max_bytes", 0), config.get("backup_count", 0))
    handler.setFormatter(Formatter(config.get("format", FMT)))
    logger.addHandler(handler)
