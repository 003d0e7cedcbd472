"""LLM helpers of the research agent (LangChain runnables)."""

from langchain_core.output_parsers import PydanticOutputParser
from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel


class Subtopics(BaseModel):
    subtopics: list[str]


async def plan_subtopics(task: str, data: str, model, max_subtopics: int = 5) -> Subtopics:
    parser = PydanticOutputParser(pydantic_object=Subtopics)
    prompt = PromptTemplate(
        template="Split the task into at most {max} subtopics.\nTask: {task}\nData: {data}\n{format}",
        input_variables=["task", "data", "max"],
        partial_variables={"format": parser.get_format_instructions()},
    )
    chain = prompt | model | parser
    return await chain.ainvoke({"task": task, "data": data, "max": max_subtopics})
