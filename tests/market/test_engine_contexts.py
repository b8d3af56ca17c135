from tests.market.helpers import NOW
from tests.market.test_engine import _bare_instrument, _engine


def test_steps_in_separate_app_contexts_like_the_service_loop(app):
    _bare_instrument(app, "ACME")
    engine = _engine(app)
    for k in range(3):
        with app.app_context():
            assert len(engine.step(NOW + 2 + 2 * k)) == 1
    engine.close()
