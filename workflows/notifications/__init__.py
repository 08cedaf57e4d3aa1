"""In-app notifications (站内信): who receives a message, writing them inside the caller's unit of work,
the ``notify_role`` script helper, and each user's inbox.
"""
