"""`init_sinks(app)`: outbound copies of trades (seed 004's USE_AWS mode)."""

from __future__ import annotations

from flask import Flask

from tradedeck.accounts.services import user_registered
from tradedeck.config import ConfigError
from tradedeck.sinks import aws
from tradedeck.sinks.cli import aws_group
from tradedeck.trading.execution import order_filled


def init_sinks(app: Flask) -> None:
    config = app.config["TRADEDECK"]
    if config.use_aws and not config.sns_topic_arn:
        raise ConfigError("USE_AWS=true needs SNS_TOPIC_ARN (the topic trades are published to)")
    order_filled.connect(aws.on_fill, weak=False)
    user_registered.connect(aws.on_registered, weak=False)
    app.cli.add_command(aws_group)
