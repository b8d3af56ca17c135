from pydantic import BaseModel

from tradedeck.api.schemas import QueryModel


class Sample(QueryModel):
    symbol: str
    tags: list[str] = []


def test_query_schema_is_built_once_and_returned_as_a_copy() -> None:
    first = Sample.model_json_schema()
    first["properties"].clear()
    second = Sample.model_json_schema()
    assert second == BaseModel.model_json_schema.__func__(Sample)
    assert second["properties"]["tags"]["type"] == "array"
    assert Sample.model_json_schema(mode="serialization")["properties"]
