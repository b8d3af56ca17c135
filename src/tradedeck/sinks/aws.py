"""Seed 004's USE_AWS mode: executed trades published to SNS, users and trades mirrored to
DynamoDB through boto3.

The sink listens to `trading.order_filled`, which is sent after the fill committed, so AWS
never sees a trade the database rolled back. AWS being down must not stop trading: a failure
is logged with the trade id (the database stays the record; `mirror_trade` can be replayed).
Clients are built per app from AWS_REGION / AWS_ENDPOINT_URL (tests: moto's server on
127.0.0.1) and credentials from the usual boto3 chain.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
from flask import current_app

from tradedeck.accounts.models import User
from tradedeck.config import Config
from tradedeck.extensions import db
from tradedeck.trading import serialize
from tradedeck.trading.models import Account, Trade

log = logging.getLogger(__name__)
CLIENTS_KEY = "tradedeck.sinks.aws"


def _clients() -> dict[str, Any]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    clients = app.extensions.get(CLIENTS_KEY)
    if clients is None:
        config: Config = app.config["TRADEDECK"]
        options = {"region_name": config.aws_region}
        if config.aws_endpoint_url:
            options["endpoint_url"] = config.aws_endpoint_url
        clients = app.extensions[CLIENTS_KEY] = {
            "sns": boto3.client("sns", **options),
            "dynamodb": boto3.client("dynamodb", **options),
        }
    return clients


def _config() -> Config:
    return current_app.config["TRADEDECK"]


def trade_message(trade: Trade, user: User) -> dict[str, Any]:
    """The trade as published and mirrored: amounts as the JSON API writes them (the same
    string whether the row was just written or loaded back), time ISO-8601 UTC."""
    return {
        "trade_id": str(trade.id),
        "order_id": str(trade.order_id),
        "user_id": str(user.id),
        "username": user.username,
        "symbol": trade.instrument.symbol,
        "venue": trade.instrument.venue.code,
        "side": trade.side,
        "quantity": serialize.qty(trade.quantity),
        "price": serialize.money(trade.price),
        "notional": serialize.money(trade.notional),
        "fee": serialize.money(trade.fee),
        "executed_at": trade.executed_at.isoformat(),
    }


def _item(values: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {key: {"S": str(value)} for key, value in values.items()}


def mirror_user(user: User) -> None:
    _clients()["dynamodb"].put_item(
        TableName=_config().dynamodb_table_users,
        Item=_item(
            {
                "user_id": user.id,
                "username": user.username,
                "email": user.email,
                "role": user.role,
                "created_at": user.created_at.isoformat(),
            }
        ),
    )


def mirror_trade(message: dict[str, Any]) -> None:
    _clients()["dynamodb"].put_item(TableName=_config().dynamodb_table_trades, Item=_item(message))


def publish_trade(message: dict[str, Any]) -> str:
    """Publish to SNS_TOPIC_ARN; returns the message id."""
    answer = _clients()["sns"].publish(
        TopicArn=_config().sns_topic_arn,
        Subject=f"{message['side'].upper()} {message['quantity']} {message['symbol']}"[:100],
        Message=json.dumps(message),
        MessageAttributes={
            "symbol": {"DataType": "String", "StringValue": message["symbol"]},
            "side": {"DataType": "String", "StringValue": message["side"]},
        },
    )
    return str(answer["MessageId"])


def on_fill(_sender: object, trade: Trade) -> None:
    """`trading.order_filled` receiver: publish and mirror when USE_AWS is on."""
    if not _config().use_aws:
        return
    try:
        account = db.session.get(Account, trade.account_id)
        user = db.session.get(User, account.user_id) if account else None
        if user is None:
            return
        message = trade_message(trade, user)
        mirror_user(user)
        mirror_trade(message)
        if _config().sns_topic_arn:
            publish_trade(message)
    except Exception:  # AWS trouble must never undo or block a fill
        log.exception("AWS sink failed for trade %s", getattr(trade, "id", "?"))


def on_registered(_sender: object, user: User) -> None:
    """`accounts.user_registered` receiver: mirror the new user when USE_AWS is on."""
    if not _config().use_aws:
        return
    try:
        mirror_user(user)
    except Exception:  # AWS trouble must never undo or block a registration
        log.exception("AWS sink failed for user %s", user.id)
