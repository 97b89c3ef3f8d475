#!/usr/bin/env python3
"""A TCP proxy that makes a server slow: every chunk of the server's answers is held DELAY seconds before it is passed
on (requests go through at once). In front of ClickHouse's HTTP port it turns every insert into one that takes at
least DELAY, so the sink falls behind and works flat out, as with a slow or overloaded ClickHouse.

  bench/scenarios/slowproxy.py LISTEN_PORT UPSTREAM_HOST:PORT DELAY_SECONDS

Loopback only; runs until killed.
"""
import asyncio, sys


async def pipe(reader, writer, delay):
    try:
        while data := await reader.read(65536):
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen_port, upstream, delay):
    host, port = upstream.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, 0), pipe(server_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
