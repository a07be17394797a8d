"""A real IMAP server for the tests: pymap's in-memory backend on a loopback port.

Run as ``python imap_server.py USER PASSWORD [--no-idle]``; prints ``PORT <n>`` once it
listens and serves until killed. A separate process keeps pymap's event loop, threads and
warnings away from the test process. ``--no-idle`` hides the IDLE capability, so the client's
polling mode can be tested against the same server.
"""

from __future__ import annotations

import asyncio
import sys
from argparse import Namespace
from contextlib import AsyncExitStack

from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import Config, DictBackend, Login
from pymap.config import BackendCapability
from pymap.imap import IMAPServer


class _NoIdleConfig(Config):
    @property
    def backend_capability(self) -> BackendCapability:
        return BackendCapability(idle=False, object_id=True, multi_append=True)


async def serve(user: str, password: str, idle: bool) -> None:
    args = Namespace(host="127.0.0.1", port=0, debug=False, cert=None, key=None, tls=False,
                     passlib_cfg=None, proxy_protocol=None, inherited_sockets=None,
                     demo_data=False, demo_user=user, demo_password=password)
    config = Config.from_args(args) if idle else _NoIdleConfig.from_args(args)
    config.apply_context()
    login = Login(config)
    await DictBackend._add_demo_user(config, login)
    server = IMAPServer(login, config)
    callback = ProxyProtocolReader(config.proxy_protocol).get_callback(server)
    async with AsyncExitStack() as stack:
        listener = await asyncio.start_server(callback, host="127.0.0.1", port=0)
        await stack.enter_async_context(listener)
        port = listener.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await listener.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2], "--no-idle" not in sys.argv[3:]))
