"""H.264 live view: encode once in capture, mux fragmented MP4 once, fan out on the web side."""
