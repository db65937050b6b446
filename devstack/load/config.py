"""The size and mix of a load run. The defaults are the mission's size (issue #11): 8 offices, 1,000
bulletins in total (not per office) from 4 concurrent office clients, 2,000 subscribers."""

from __future__ import annotations

from dataclasses import dataclass

# What real subscribers pick (weights): one or two countries, one or two topics, or a country and a
# topic; nobody asks for everything. A subscription's language is the language of its emails.
FILTER_KINDS: dict[str, float] = {
    "one country": 0.30,
    "two countries": 0.15,
    "one topic": 0.15,
    "two topics": 0.10,
    "country and topic": 0.30,
}
# Which bulletins a subscriber wants by language (`bulletin_languages`; `language` is the language of
# their emails): most read only their own, some take every language (bilingual staff, partners who read
# machine translations). An office writes mostly in its country's language, so a Spanish-only reader
# gets the Central American offices' news and not the English one's: that is what real filters do.
OWN_LANGUAGE_SHARE = 0.7  # the rest: every language
FREQUENCIES: dict[str, float] = {"immediate": 0.5, "daily": 0.3, "weekly": 0.2}
SUBSCRIBER_LANGUAGES: dict[str, float] = {"es": 0.42, "en": 0.38, "fr": 0.1, "pt": 0.1}


@dataclass(frozen=True)
class LoadConfig:
    offices: int = 8
    bulletins: int = 1000  # in total, spread round-robin over the offices
    subscribers: int = 2000
    clients: int = 4  # concurrent office clients submitting bulletins
    setup_clients: int = 8  # concurrent clients subscribing and confirming
    frequencies: tuple[tuple[str, float], ...] = tuple(FREQUENCIES.items())
    own_language_share: float = OWN_LANGUAGE_SHARE  # subscribers wanting bulletins in their language only
    rate: float = 0.0  # bulletins/s to submit at (0: as fast as the clients go)
    backdated_share: float = 0.1  # bulletins dated 1-30 days back (the rest are today's news)
    seed: int = 2025
    timeout: float = 1800.0  # for the system to deliver everything, after the last submission
    feed_poll: float = 0.1  # seconds between two looks at the feeds
    list_poll: float = 1.0  # seconds between two reads of the whole GET /bulletins list
    progress: float = 5.0  # seconds between progress lines (on stderr)
