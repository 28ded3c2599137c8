"""How big a number a user may ask for, in one place for flags and scenario files alike.

Every count a user gives is range-checked before anything runs, so a typo (`--n 10000000000`,
`chains: {count: 1e9}`, `max_turns: 99999999`) is a `file:line` problem or a flag error, not an
hour of planning or a run that never ends. The limits sit far above any real dataset.
"""

MAX_EXAMPLES = 1_000_000  # --n, generation.n, a per-tool count, min_multi_turn
MAX_EPISODES = 10_000_000  # --max-episodes, generation.max_episodes
MAX_TURNS = 100  # generation.max_turns: user turns of one episode
MAX_CONCURRENCY = 1024  # --concurrency
MAX_SAMPLES = 100  # --samples-per-episode
MAX_GENERATED = 10_000  # generation.chains.count / parallel, expand --per-scenario, personas --n, graph --chains
MAX_RPM = 1_000_000  # --rpm, models.rpm
