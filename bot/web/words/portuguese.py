"""The web pages in Brazilian Portuguese."""

from __future__ import annotations

from bot.web.words.page_words import Words

PT_BR = Words(
    loading="Carregando…",
    tab_chat="Chat",
    tab_personas="Personas",
    tab_usage="Uso",
    tab_settings="Configurações",
    sign_in_text="Entre com o link que o bot enviou. Ele funciona uma vez, por dez minutos.",
    sign_in_button="Entrar",
    slow_down="Mais devagar",
    too_many_sign_ins="Tentativas demais: espere um minuto.",
    link_expired="Link expirado",
    link_expired_text="Este link já foi usado ou expirou. Envie /web ao bot para receber outro.",
    no_messages="Nenhuma mensagem ainda. Diga oi!",
    message="Mensagem",
    send="Enviar",
    persona_line=(
        "Persona: {persona} · a mesma conversa do seu chat privado com o bot no Telegram."
    ),
    persona_switch_hint="Trocar começa uma conversa nova, como /persona.",
    in_use="em uso",
    use="Usar {persona}",
    tools="Ferramentas: {tools}",
    today="Hoje",
    this_month="Este mês",
    of="de {budget}",
    answers="{count} respostas",
    your_chart="Seu gasto, últimos {days} dias",
    language="Idioma",
    automatic_language="Como o meu Telegram",
    save="Salvar",
    start_over="Começar de novo",
    start_over_text="Uma conversa nova, como /reset.",
    reset_button="Reiniciar a conversa",
    delete_title="Apagar tudo sobre mim",
    delete_text=(
        "Apaga sua conversa com o bot (também no servidor do modelo), os arquivos dela, suas "
        "mensagens na fila, o registro de cada resposta, seu idioma e suas sessões web. Fica: "
        "o que você gastou hoje e neste mês, como totais (seus orçamentos contam com eles), e "
        "os totais do bot, que não citam você."
    ),
    delete_confirm="Apagar tudo sobre você? Não dá para desfazer.",
    delete_button="Apagar tudo",
    sign_out="Sair",
    sign_out_text="Encerra todas as suas sessões web, como /web logout.",
    sign_out_button="Sair de todos os lugares",
    not_signed_in="Você não entrou: envie /web ao bot num chat privado.",
    session_ended="Sua sessão terminou: envie /web ao bot para receber um link novo.",
    stranger="O bot não conversa com você (ainda).",
    stale_form="Este formulário expirou: recarregue a página.",
    no_such_page="Essa página não existe.",
    no_such_persona="Essa persona não existe.",
    now_talking="Agora você conversa com {persona}.",
    saved="Salvo.",
    fresh_start="Uma conversa nova começou.",
    deleted="Tudo sobre você foi apagado.",
    not_deleted=(
        "O servidor do modelo não apagou a conversa: nada foi apagado; tente de novo daqui a pouco."
    ),
    server_away="O servidor do modelo não respondeu: tente de novo daqui a pouco.",
    signed_out="Você saiu de todos os lugares.",
    write_something="Escreva algo primeiro.",
    too_long="Passa de {limit} caracteres.",
    wait_for_answer="Espere a resposta antes de enviar a próxima mensagem.",
    too_many_messages="Mensagens demais: espere um minuto.",
    other_process=(
        "Outro processo do bot está respondendo seu chat do Telegram agora: tente de novo em "
        "alguns segundos."
    ),
    sent_already="Essa mensagem já foi enviada.",
    moved_to_telegram=(
        "O resto desta resposta (arquivos ou uma pergunta) está no seu chat do Telegram."
    ),
    failed="Não funcionou.",
    done="Feito.",
    open_from_telegram="Abra esta página pelo botão de menu do bot no Telegram.",
    launch_refused="Os dados do Telegram não puderam ser verificados: abra de novo.",
)
