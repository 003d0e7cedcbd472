"""Text to speech through edge-tts, converted to WAV for the chat platforms."""

import os
import subprocess
import uuid

import edge_tts


class EdgeSpeech:
    def __init__(self, voice: str, temp_dir: str) -> None:
        self.voice = voice
        self.temp_dir = temp_dir

    async def get_audio(self, text: str) -> str:
        stem = os.path.join(self.temp_dir, f"edge_tts_{uuid.uuid4()}")
        mp3_path, wav_path = f"{stem}.mp3", f"{stem}.wav"
        await edge_tts.Communicate(text=text, voice=self.voice).save(mp3_path)
        subprocess.run(
            ["ffmpeg", "-y", "-i", mp3_path, "-acodec", "pcm_s16le", "-ar", "24000", "-ac", "1", wav_path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return wav_path
