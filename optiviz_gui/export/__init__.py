"""Export: frames to GIF / MP4 / PNG, trajectories to CSV / JSON.

    frames.py        what an encoder takes: (h, w, 3|4) uint8 arrays or PIL images (no Qt)
    gif.py           streaming GIF writer: shared palette, delta frames, real delays, loops
    mp4.py           H.264 through imageio-ffmpeg's ffmpeg (optional)
    writers.py       a frame source -> a finished file, atomically; cancel; progress
    trajectories.py  CSV of ``optiviz run`` and JSON with every step's optimizer state
    render.py        frame source drawn by the app's own views (Qt)
    headless.py      ``optiviz export``: a Qt app on a platform that can draw, then the above
"""
