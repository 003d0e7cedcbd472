"""The shared Supabase client."""
import os

from supabase import Client, create_client


def get_supabase_client() -> Client:
    return create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_KEY"])
