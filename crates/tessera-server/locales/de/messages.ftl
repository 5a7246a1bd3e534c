# messages
