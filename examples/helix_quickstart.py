"""Look up channels by login, then print which are live and their follower totals.

Credentials come from TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET. Without real credentials, run
it against the local fake server that ships with twitchstats:

    twitchstats fake-helix --port 8080 &
    export TWITCH_CLIENT_ID=fakehelixclientid0000000000000
    export TWITCH_CLIENT_SECRET=fakehelixclientsecret000000000
    python examples/helix_quickstart.py xaqui chenegagg \
        --base-url http://127.0.0.1:8080/helix --auth-base-url http://127.0.0.1:8080/oauth2

Without --base-url and --auth-base-url it talks to Twitch itself.
"""

from __future__ import annotations

import argparse
import logging
import sys

from twitchstats import HelixClient, HelixError, TwitchStatsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logins", nargs="+", help="channel logins to look up")
    parser.add_argument(
        "--base-url",
        default="https://api.twitch.tv/helix",
        help="Helix root URL (default: Twitch's)",
    )
    parser.add_argument(
        "--auth-base-url",
        default="https://id.twitch.tv/oauth2",
        help="OAuth root URL that serves /token and /validate (default: Twitch's)",
    )
    arguments = parser.parse_args(argv)
    # Retries and rate-limit waits are logged as warnings by the client.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        with HelixClient(
            base_url=arguments.base_url, auth_base_url=arguments.auth_base_url
        ) as client:
            users = client.get_users(logins=arguments.logins)
            found = {user.login for user in users}
            for login in arguments.logins:
                if login.lower() not in found:
                    print(f"{login}: not found (renamed, suspended or deleted)")

            streams = client.get_streams(user_ids=[user.id for user in users])
            live = {stream.user_id: stream for stream in streams}
            for user in users:
                followers = client.get_follower_total(user.id)
                stream = live.get(user.id)
                if stream is None:
                    state = "offline"
                else:
                    state = (
                        f"live with {stream.viewer_count} viewers since "
                        f"{stream.started_at:%Y-%m-%d %H:%M} UTC, "
                        f"category {stream.game_name or '(none)'}"
                    )
                print(f"{user.display_name} (id {user.id}): {state}; {followers} followers")

            rate_limit = client.last_rate_limit
            if rate_limit is not None:
                print(f"rate limit: {rate_limit.remaining} of {rate_limit.limit} points left")
    except (ValueError, TypeError) as exc:
        # The client checks logins and ids before sending anything, so a login such as
        # "@xaqui" raises ValueError here. parser.error prints the usage and the message, then
        # exits with status 2.
        parser.error(str(exc))
    except HelixError as exc:
        print(f"Helix request failed: {exc}", file=sys.stderr)
        return 1
    except TwitchStatsError as exc:  # missing credentials or an invalid URL
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
