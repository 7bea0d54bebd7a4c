"""Settings of the Muling server that bench/harness.py measures: production settings (muling.settings,
driven by the same environment variables) with the per-token, per-session and per-reporter rate limits
raised out of reach. One load generator sends thousands of reports an hour with one resident's token
from one address; in production those limits would (rightly) answer 429. The limits are raised, not
set to 0, so every request still pays for its counters in Redis, as it does in production.
"""

from muling.settings import *  # noqa: F403

_OUT_OF_REACH = 10**9
API_TOKEN_RATE_LIMIT_PER_MINUTE = _OUT_OF_REACH
API_SESSION_RATE_LIMIT_PER_MINUTE = _OUT_OF_REACH
REPORT_LIMIT_PER_USER_PER_HOUR = _OUT_OF_REACH
REPORT_LIMIT_PER_ADDRESS_PER_HOUR = _OUT_OF_REACH
