"""Export: frames to GIF / MP4 / PNG, trajectories to CSV / JSON.

    frames.py        what an encoder takes: (h, w, 3|4) uint8 arrays or PIL images (no Qt)
    palette.py       one GIF palette for an animation, exact nearest colours
    gif.py           streaming GIF writer: shared palette, delta frames, real delays, loops
    gif_pipe.py      GIF encoding beside the drawing, through a bounded queue: a process or a thread
    gif_worker.py    the encoding end of gif_pipe (a thread, or a forked or spawned process)
    mp4.py           H.264 through imageio-ffmpeg's ffmpeg (optional)
    writers.py       a frame source -> a finished file, atomically; cancel; progress
    trajectories.py  CSV of ``optiviz run`` and JSON with every step's optimizer state
    render.py        frame source drawn by the app's own views (Qt)
    incremental.py   a 2-D view's frames repainted only where they change (Qt)
    dirty.py         where two frames of a 2-D view differ, in pixels (Qt)
    headless.py      ``optiviz export``: a Qt app on a platform that can draw, then the above
"""
