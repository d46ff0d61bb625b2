"""One local Spark session (``local[2]``) for every Spark test, the o365sql source registered in it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from o365sql.emulator import Emulator
from o365sql.spark import register

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def spark(emulator: Emulator) -> Iterator[SparkSession]:
    """Spark in local mode on two cores; its Python workers run this interpreter (and so this o365sql).

    It needs the shared emulator so that Spark stops first: its Python workers keep their connections open
    between tasks, and the emulator then sees them closed before it shuts down.
    """
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("o365sql-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        # CI's two cores are busy: give a starting Python worker time to call back (Spark's default is 15 s)
        .config("spark.python.authenticate.socketTimeout", "120s")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={HERE / 'log4j2.properties'}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    register(session)
    yield session
    session.stop()


def app_options(emu: Emulator, **extra: Any) -> dict[str, str]:
    """Connection properties signing in as the emulator's confidential app (app-only: every mailbox)."""
    return {
        "AuthScheme": "AzureServicePrincipal",
        "OAuthClientId": emu.app_client_id,
        "OAuthClientSecret": emu.app_client_secret,
        "AzureTenant": emu.tenant_id,
        "AuthorityHost": emu.authority_host,
        "GraphURL": emu.graph_url,
        "SSLServerCert": str(emu.ca_cert),
        **{k: str(v) for k, v in extra.items()},
    }
