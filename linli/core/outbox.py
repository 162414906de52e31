"""The outbox. INTERFACE STUB — being implemented; signatures are the contract.

emit(topic: str, payload: dict) -> OutboxMessage
    Inside the caller's transaction: writes the message; after commit asks the relay to run
    (Celery task when REDIS_URL is set, in process otherwise). A broker that is down loses
    nothing: the message stays unsent and the periodic relay (`manage.py relay_outbox`, beat
    every minute) delivers it later.
register(topic_prefix: str, handler: Callable[[OutboxMessage], None])
    Handlers run by the relay for messages whose topic starts with the prefix.
relay_pending(limit=200) -> int   (delivers unsent messages; safe to run concurrently)
"""
