"""USE_AWS: a real fill is published to SNS and mirrored (user + trade) to DynamoDB, against
moto's standalone server on 127.0.0.1 (boto3 over HTTP, no in-process mocks); AWS failures
never undo a fill."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.helpers import create_user, free_port, make_app
from tests.trading.helpers import TRADING_SETTINGS, add_market, fund
from tradedeck.extensions import db
from tradedeck.trading.models import Trade
from tradedeck.trading.orders import OrderRequest, place_order

REGION = "us-east-1"


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    yield url
    # moto keeps its accounts in the process: the next test starts from an empty AWS.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    server.stop()


def _aws(url: str) -> tuple[str, str, object, object]:
    """Create the topic, a queue subscribed to it (to read what was published) and tables."""
    sns = boto3.client("sns", region_name=REGION, endpoint_url=url)
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=url)
    dynamo = boto3.client("dynamodb", region_name=REGION, endpoint_url=url)
    topic = sns.create_topic(Name="StockTradeNotifications")["TopicArn"]
    queue = sqs.create_queue(QueueName="trades")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    for table, key in (("UsersTable", "user_id"), ("TradesTable", "trade_id")):
        dynamo.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    return topic, queue, sqs, dynamo


def _buy(app, user_id: int) -> Trade:
    with app.app_context():
        order, _ = place_order(
            user_id, OrderRequest(symbol="BTC/USDT", side="buy", quantity="0.01", venue="BINANCE")
        )
        trade = db.session.query(Trade).filter_by(order_id=order.id).one()
        db.session.expunge(trade)
        return trade


def test_a_fill_is_published_to_sns_and_mirrored_to_dynamodb(tmp_path: Path, moto_url: str) -> None:
    topic, queue, sqs, dynamo = _aws(moto_url)
    app = make_app(
        tmp_path,
        **TRADING_SETTINGS,
        USE_AWS="true",
        AWS_ENDPOINT_URL=moto_url,
        AWS_REGION=REGION,
        SNS_TOPIC_ARN=topic,
    )
    add_market(app)
    user = create_user(app, "alice")
    fund(app, user.id, "10000")
    trade = _buy(app, user.id)

    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    published = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert published["trade_id"] == str(trade.id) and published["symbol"] == "BTC/USDT"
    assert published["side"] == "buy" and published["quantity"] == "0.01"
    item = dynamo.get_item(TableName="TradesTable", Key={"trade_id": {"S": str(trade.id)}})
    assert item["Item"]["price"]["S"] == "50000.00" == published["price"]
    mirrored = dynamo.get_item(TableName="UsersTable", Key={"user_id": {"S": str(user.id)}})
    assert mirrored["Item"]["username"]["S"] == "alice"


def test_mirror_users_command(tmp_path: Path, moto_url: str) -> None:
    topic, _queue, _sqs, dynamo = _aws(moto_url)
    app = make_app(
        tmp_path, USE_AWS="true", AWS_ENDPOINT_URL=moto_url, AWS_REGION=REGION, SNS_TOPIC_ARN=topic
    )
    create_user(app, "alice")
    create_user(app, "bob", email="bob@example.com")
    result = app.test_cli_runner().invoke(args=["aws", "mirror-users"])
    assert result.exit_code == 0 and "Mirrored 2 users to UsersTable" in result.output
    items = dynamo.scan(TableName="UsersTable")["Items"]
    assert sorted(i["username"]["S"] for i in items) == ["alice", "bob"]


def test_aws_down_does_not_block_trading(tmp_path: Path, moto_url: str) -> None:
    app = make_app(
        tmp_path,
        **TRADING_SETTINGS,
        USE_AWS="true",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_REGION=REGION,
        SNS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:missing",
    )
    add_market(app)
    user = create_user(app, "bob", email="bob@example.com")
    fund(app, user.id, "10000")
    assert _buy(app, user.id).id


def test_use_aws_needs_a_topic(tmp_path: Path) -> None:
    from tradedeck.config import ConfigError

    with pytest.raises(ConfigError, match="SNS_TOPIC_ARN"):
        make_app(tmp_path, USE_AWS="true")


def test_a_registration_is_mirrored_to_dynamodb(tmp_path: Path, moto_url: str) -> None:
    topic, _queue, _sqs, dynamo = _aws(moto_url)
    app = make_app(
        tmp_path, USE_AWS="true", AWS_ENDPOINT_URL=moto_url, AWS_REGION=REGION, SNS_TOPIC_ARN=topic
    )
    answer = app.test_client().post(
        "/api/v1/auth/register",
        json={"username": "carol", "email": "carol@example.com", "password": "s3cret-pass-word"},
    )
    assert answer.status_code == 201, answer.get_json()
    user_id = answer.get_json()["user"]["id"]
    item = dynamo.get_item(TableName="UsersTable", Key={"user_id": {"S": str(user_id)}})
    assert item["Item"]["username"]["S"] == "carol"
    assert item["Item"]["email"]["S"] == "carol@example.com"


def test_aws_down_does_not_block_registration(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        USE_AWS="true",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_REGION=REGION,
        SNS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:missing",
    )
    answer = app.test_client().post(
        "/api/v1/auth/register",
        json={"username": "dave", "email": "dave@example.com", "password": "s3cret-pass-word"},
    )
    assert answer.status_code == 201, answer.get_json()
